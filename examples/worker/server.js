const http = require('node:http');
const server = http.createServer((req, res) => res.end('ok\n')).listen(8080, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
