import rule from '../../src/rules/compose-legacy-v1.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'services under `services:`', compose: 'services:\n  web:\n    image: python:3.12-slim\n    command: ["gunicorn", "app:app"]\n' },
    { name: 'a fragment of networks is part of a project, not v1', compose: 'networks:\n  front: {}\n' },
  ],
  invalid: [
    {
      name: 'services at the top level',
      compose: 'web:\n  image: python:3.12-slim\n  command: ["gunicorn", "app:app"]\nredis:\n  image: redis:7\n',
      filename: 'docker-compose.yml',
      errors: [{ messageId: 'legacy', severity: 'warning', line: 1, column: 1, message: /Additional property web is not allowed/ }],
    },
    {
      name: 'a v1 service built from a Dockerfile',
      compose: '# legacy\napi:\n  build: .\n  dockerfile: Dockerfile.prod\n',
      filename: 'docker-compose.yml',
      files: { 'Dockerfile.prod': 'FROM python:3.12-slim\nCMD ["python", "-m", "api"]\n' },
      errors: [{ messageId: 'legacy', line: 2, column: 1 }],
    },
  ],
});
