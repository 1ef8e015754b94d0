import rule from '../../src/rules/k8s-prestop-exceeds-grace.js';
import { ruleTester } from '../helpers/rule-tester.js';

const deploy = (grace: string, preStop: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n${grace}      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.4\n          command: ["/api"]\n          lifecycle:\n            preStop:\n${preStop}`;

ruleTester(rule, {
  valid: [
    { name: 'a short hook', manifest: deploy('', '              sleep: {seconds: 5}\n') },
    { name: 'a grace period that covers the hook', manifest: deploy('      terminationGracePeriodSeconds: 45\n', '              sleep: {seconds: 30}\n') },
    { name: 'an exec hook of unknown length', manifest: deploy('', '              exec: {command: ["/api", "drain"]}\n') },
  ],
  invalid: [
    {
      name: 'a 30 s sleep with the default grace period',
      manifest: deploy('', '              sleep: {seconds: 30}\n'),
      errors: [{ messageId: 'takesGrace', severity: 'warning', line: 12, message: /takes 30 s of the 30 s grace period \(the default\): the service gets only 2 s/ }],
    },
    {
      name: 'sh -c "sleep 60" with an explicit grace period',
      manifest: deploy('      terminationGracePeriodSeconds: 40\n', '              exec: {command: ["sh", "-c", "sleep 60"]}\n'),
      errors: [{ messageId: 'takesGrace', message: /takes 60 s of the 40 s grace period: the service gets only 2 s/ }],
    },
  ],
});
