import rule from '../../src/rules/server-stop-signal.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    // v8fg's demo/ubuntu: Ubuntu's nginx package, CMD nginx with no `daemon off`: it forks into the background and PID 1
    // exits at start (nginx's `daemon` defaults to on; the packaged nginx.conf leaves it)
    { name: 'nginx run as a daemon (no daemon off anywhere): the container ends at start', dockerfile: 'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y nginx\nCMD ["/usr/sbin/nginx"]\n' },
    // docker-library/php: the apache variant's CMD apache2-foreground (exec apache2 -DFOREGROUND) and STOPSIGNAL SIGWINCH.
    { name: "php:*-apache with no CMD: apache2-foreground with the image's SIGWINCH", dockerfile: 'FROM php:8.3-apache\nCOPY . /var/www/html\n', files: { 'index.php': '<?php echo 1;\n' } },
    { name: 'nginx with SIGQUIT', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]\n' },
    { name: 'postgres with SIGTERM is graceful (smart)', dockerfile: 'FROM debian:bookworm\nCMD ["postgres"]\n' },
    { name: 'the official nginx image sets STOPSIGNAL SIGQUIT', dockerfile: 'FROM nginx:1.27\nCMD ["nginx", "-g", "daemon off;"]\n' },
    // nginxinc/docker-nginx 4d1f7f8 and ec7ff8c (2017-04-13): STOPSIGNAL SIGQUIT from mainline 1.11.13 on, until 16ec71e
    { name: 'nginx:1.11 is 1.11.13, its last build with STOPSIGNAL SIGQUIT', compose: 'services:\n  web:\n    image: nginx:1.11\n' },
    // 3fb70dd (2020-11-24) set SIGQUIT again and rebuilt the stable 1.18.0; mainline from 1.19.5
    { name: 'nginx:1.18.0 was rebuilt with STOPSIGNAL SIGQUIT', compose: 'services:\n  web:\n    image: nginx:1.18.0\n' },
    { name: 'nginx:1.19.5-alpine sets STOPSIGNAL SIGQUIT', compose: 'services:\n  web:\n    image: nginx:1.19.5-alpine\n' },
  ],
  invalid: [
    {
      name: "nginx:1.9 predates the image's STOPSIGNAL SIGQUIT: its CMD gets SIGTERM, the fast stop",
      dockerfile: 'FROM nginx:1.9\nCOPY nginx.conf /etc/nginx/\n',
      files: { 'nginx.conf': 'events {}\n' },
      errors: [{ messageId: 'wrongSignal', severity: 'error', line: 1, message: /nginx shuts down gracefully on SIGQUIT, but the stop signal is SIGTERM/ }],
      output: null,
    },
    // 16ec71e "Use TERM as STOPSIGNAL" (2017-05-30) until 3fb70dd (2020-11-24): 1.12.0 (rebuilt) to 1.17.x and 1.19.0-1.19.4
    {
      name: 'nginx:1.17.5 sets STOPSIGNAL SIGTERM, its fast stop (gravitational/workshop)',
      compose: 'services:\n  web:\n    image: nginx:1.17.5\n',
      errors: [{ messageId: 'wrongSignal', severity: 'error' }],
      output: 'services:\n  web:\n    stop_signal: SIGQUIT\n    image: nginx:1.17.5\n',
    },
    {
      name: 'nginx:1.12.0 was rebuilt with STOPSIGNAL SIGTERM',
      compose: 'services:\n  web:\n    image: nginx:1.12.0\n',
      errors: [{ messageId: 'wrongSignal', severity: 'error' }],
      output: 'services:\n  web:\n    stop_signal: SIGQUIT\n    image: nginx:1.12.0\n',
    },
    {
      name: 'compose: nginx:1.10.3-alpine has no STOPSIGNAL either',
      compose: 'services:\n  web:\n    image: nginx:1.10.3-alpine\n',
      errors: [{ messageId: 'wrongSignal', severity: 'error' }],
      output: 'services:\n  web:\n    stop_signal: SIGQUIT\n    image: nginx:1.10.3-alpine\n',
    },
    {
      // arm32v7/alpine is the official alpine built for ARMv7 (docker-library/official-images README): no STOPSIGNAL, so an error, not "unless it sets one"
      name: 'nginx on an architecture namespace of an official image',
      dockerfile: 'FROM arm32v7/alpine:3\nRUN apk add nginx\nCMD ["nginx", "-g", "daemon off;"]\n',
      errors: [{ messageId: 'wrongSignal', severity: 'error', message: /the stop signal is SIGTERM: nginx/ }],
      output: 'FROM arm32v7/alpine:3\nRUN apk add nginx\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]\n',
    },
    {
      name: 'php:*-apache with STOPSIGNAL SIGTERM: apache2-foreground is httpd',
      dockerfile: 'FROM php:8.3-apache\nSTOPSIGNAL SIGTERM\nCMD ["apache2-foreground"]\n',
      errors: [{ messageId: 'wrongSignal', message: /apache2-foreground shuts down gracefully on SIGWINCH, but the stop signal is SIGTERM/ }],
      output: 'FROM php:8.3-apache\nSTOPSIGNAL SIGWINCH\nCMD ["apache2-foreground"]\n',
    },
    {
      name: 'uWSGI --die-on-term: SIGTERM kills the workers at once (measured in test/catalogue-ns.test.ts)',
      dockerfile: 'FROM python:3.12-slim\nCMD ["uwsgi", "--http", ":8080", "--wsgi-file", "app.py", "--master", "--die-on-term"]\n',
      errors: [{ messageId: 'noGracefulSignal', message: /uwsgi has no graceful-stop signal/ }],
      output: null,
    },
    {
      name: 'Envoy has no graceful-stop signal: the advice is to drain first, not a STOPSIGNAL',
      compose: 'services:\n  proxy:\n    image: envoyproxy/envoy:distroless-v1.31-latest\n    command: ["envoy", "-c", "/etc/envoy/envoy.yaml"]\n',
      errors: [{ messageId: 'noGracefulSignal', message: /envoy has no graceful-stop signal: SIGTERM ends it without draining/, suggestion: /admin API/ }],
      output: null,
    },
    {
      name: 'systemd is not s6: SIGTERM makes it re-execute, not stop (debian sets no STOPSIGNAL)',
      dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["/sbin/init"]\n',
      errors: [{ severity: 'error', message: /systemd shuts down gracefully on SIGRTMIN\+3/ }],
      output: 'FROM debian:bookworm\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["/sbin/init"]\n',
    },
    {
      name: 'explicit SIGTERM for nginx',
      dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGTERM\nCMD ["nginx", "-g", "daemon off;"]\n',
      errors: [{ severity: 'error', line: 2 }],
      output: 'FROM debian:bookworm\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]\n',
    },
    {
      name: 'inherited from an unseen base: warning',
      dockerfile: 'FROM registry.example.com/web/nginx:1.27\nCMD ["nginx", "-g", "daemon off;"]\n',
      errors: [{ severity: 'warning' }],
      output: 'FROM registry.example.com/web/nginx:1.27\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]\n',
    },
    {
      name: 'nginx built on alpine, which sets no STOPSIGNAL: certain',
      dockerfile: 'FROM alpine:3.20\nRUN apk add nginx\nCMD ["nginx", "-g", "daemon off;"]\n',
      errors: [{ severity: 'error' }],
      output: 'FROM alpine:3.20\nRUN apk add nginx\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]\n',
    },
    {
      name: 'php-fpm',
      dockerfile: 'FROM scratch\nSTOPSIGNAL TERM\nCMD ["php-fpm8.2", "-F"]\n',
      errors: [{ severity: 'error', message: /php-fpm/ }],
      output: 'FROM scratch\nSTOPSIGNAL SIGQUIT\nCMD ["php-fpm8.2", "-F"]\n',
    },
    {
      name: 'nginx kept in the foreground by a `daemon off;` the build writes into nginx.conf',
      dockerfile: 'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y nginx && echo "daemon off;" >> /etc/nginx/nginx.conf\nCMD ["/usr/sbin/nginx"]\n',
      errors: [{ severity: 'error', message: /nginx/ }],
      output: 'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y nginx && echo "daemon off;" >> /etc/nginx/nginx.conf\nSTOPSIGNAL SIGQUIT\nCMD ["/usr/sbin/nginx"]\n',
    },
    // cravler's php images: the fpm binary under a name the build links (`ln -s /usr/sbin/php-fpm8.1 /usr/sbin/php8-fpm`)
    {
      name: 'php-fpm under a name the build links to it: still php-fpm',
      dockerfile:
        'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y php8.1-fpm && ln -s /usr/sbin/php-fpm8.1 /usr/sbin/php8-fpm && sed -ri "s|;?(daemonize\\s+=).*|\\1 no|" /etc/php/8.1/fpm/php-fpm.conf\nCMD ["php8-fpm", "-R"]\n',
      errors: [{ severity: 'error', message: /php-fpm|php8-fpm/ }],
      output:
        'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y php8.1-fpm && ln -s /usr/sbin/php-fpm8.1 /usr/sbin/php8-fpm && sed -ri "s|;?(daemonize\\s+=).*|\\1 no|" /etc/php/8.1/fpm/php-fpm.conf\nSTOPSIGNAL SIGQUIT\nCMD ["php8-fpm", "-R"]\n',
    },
    {
      name: 'STOPSIGNAL from an ARG',
      dockerfile: 'FROM debian:bookworm\nARG SIG=SIGINT\nSTOPSIGNAL $SIG\nCMD ["httpd", "-DFOREGROUND"]\n',
      errors: [{ message: /SIGWINCH/ }],
      output: 'FROM debian:bookworm\nARG SIG=SIGINT\nSTOPSIGNAL SIGWINCH\nCMD ["httpd", "-DFOREGROUND"]\n',
    },
  ],
});
