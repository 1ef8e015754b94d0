import rule from '../../src/rules/k8s-image-decides.js';
import { ruleTester } from '../helpers/rule-tester.js';

const deploy = (container: string): string => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n${container}`;

ruleTester(rule, {
  valid: [
    { name: 'a command is set', manifest: deploy('          image: registry.example.com/team/api:2.1\n          command: ["/api"]\n') },
    { name: 'an official image pid1 knows', manifest: deploy('          image: redis:7\n') },
    { name: 'a compose service with a build', compose: 'services:\n  api:\n    build: .\n', files: { Dockerfile: 'FROM debian:bookworm\nCMD ["/api"]\n' } },
  ],
  invalid: [
    {
      name: 'an image from another repository',
      manifest: deploy('          image: registry.example.com/team/api:2.1\n'),
      errors: [
        {
          messageId: 'imageDecides',
          severity: 'info',
          line: 8,
          message: /container api of Deployment\/api: the image decides what runs: image registry.example.com\/team\/api:2.1, whose ENTRYPOINT\/CMD pid1 cannot see/,
        },
      ],
    },
    {
      name: 'given options only',
      manifest: deploy('          image: registry.example.com/team/api:2.1\n          args: ["--port", "80"]\n'),
      errors: [{ messageId: 'imageDecides', message: /given options only/ }],
    },
    {
      name: 'a compose service',
      compose: 'services:\n  api:\n    image: registry.example.com/team/api:2.1\n',
      errors: [{ messageId: 'imageDecides', line: 2, message: /service api: the image decides/ }],
    },
  ],
});
