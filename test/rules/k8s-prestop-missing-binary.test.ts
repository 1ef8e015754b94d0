import rule from '../../src/rules/k8s-prestop-missing-binary.js';
import { ruleTester } from '../helpers/rule-tester.js';

const deploy = (image: string, preStop: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n          command: ["/app"]\n          lifecycle:\n            preStop:\n${preStop}`;

ruleTester(rule, {
  valid: [
    { name: 'the sleep action needs nothing in the image', manifest: deploy('gcr.io/distroless/static-debian12', '              sleep: {seconds: 5}\n') },
    { name: 'an image with a shell has sleep', manifest: deploy('debian:bookworm', '              exec: {command: ["sleep", "5"]}\n') },
    { name: "the service's own binary is there", manifest: deploy('gcr.io/distroless/static-debian12', '              exec: {command: ["/app", "drain"]}\n') },
  ],
  invalid: [
    {
      name: 'sleep on distroless',
      manifest: deploy('gcr.io/distroless/static-debian12', '              exec: {command: ["sleep", "5"]}\n'),
      errors: [{ messageId: 'missing', severity: 'warning', line: 12, message: /runs `sleep`, which gcr.io\/distroless\/static-debian12 does not have/ }],
    },
    {
      name: 'sh -c on a Chainguard image',
      manifest: deploy('cgr.dev/chainguard/static', '              exec: {command: ["sh", "-c", "sleep 5"]}\n'),
      errors: [{ messageId: 'missing', message: /runs `sh`/ }],
    },
  ],
});
