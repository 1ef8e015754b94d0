import rule from '../../src/rules/compose-shell-operators.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'the list form with a shell', compose: 'services:\n  web:\n    image: python:3.12-slim\n    command: ["sh", "-c", "./migrate.sh && exec gunicorn app:app"]\n' },
    { name: 'a string without operators', compose: 'services:\n  web:\n    image: python:3.12-slim\n    command: gunicorn app:app\n' },
    { name: 'an operator inside quotes is an argument', compose: 'services:\n  web:\n    image: python:3.12-slim\n    command: sh -c "./migrate.sh && exec gunicorn app:app"\n' },
  ],
  invalid: [
    {
      name: 'two commands in one string',
      compose: 'services:\n  web:\n    image: python:3.12-slim\n    command: ./migrate.sh && gunicorn app:app\n',
      errors: [{ messageId: 'notAnOperator', severity: 'warning', line: 4, message: /compose v2 runs only \["\.\/migrate\.sh"\]/ }],
    },
    {
      name: 'a pipe in entrypoint',
      compose: 'services:\n  web:\n    image: alpine:3.20\n    entrypoint: svc | tee /log\n',
      errors: [{ messageId: 'notAnOperator', line: 4, message: /entrypoint: `\|`/ }],
    },
    {
      name: 'a legacy v1 file: only docker-compose 1.x runs it, which passes the operator as an argument',
      compose: 'web:\n  image: python:3.12-slim\n  command: ./migrate.sh && gunicorn app:app\n',
      filename: 'docker-compose.yml',
      errors: [{ messageId: 'notAnOperatorV1', severity: 'warning', line: 3, message: /argv \["\.\/migrate\.sh","&&","gunicorn","app:app"\]/ }],
    },
  ],
});
