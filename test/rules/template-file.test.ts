import rule from '../../src/rules/template-file.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'a Dockerfile that quotes Go templates in RUN is a Dockerfile', dockerfile: 'FROM debian:bookworm\nRUN docker inspect -f \'{{.Id}}\' x || true\nCMD ["svc"]\n' },
    { name: 'a Dockerfile.template without template syntax is linted as written', dockerfile: 'FROM debian:bookworm\nCMD ["svc"]\n', filename: 'Dockerfile.template' },
    {
      name: 'Argo substitutes {{inputs...}} at run time in a valid manifest',
      manifest:
        'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: x-}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    container:\n      image: alpine:3.20\n      args: ["{{inputs.parameters.message}}"]\n',
    },
    { name: 'a Prometheus template inside a ConfigMap string is data', manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\ndata:\n  rule: "summary: {{ $labels.instance }} down"\n' },
  ],
  invalid: [
    {
      name: 'docker-library Dockerfile.template',
      filename: 'Dockerfile.template',
      dockerfile: 'FROM debian:{{ .debian.version }}-slim\n{{ if env.variant == "alpine" then ( -}}\nRUN apk add x\n{{ ) else "" end -}}\nCMD ["redis-server"]\n',
      errors: [{ messageId: 'template', severity: 'warning', line: 1, column: 13, message: /Dockerfile\.template is a template \(template syntax `\{\{ \}\}`\)/ }],
    },
    {
      name: 'a Dockerfile not named as a template that fails where the syntax is',
      filename: 'Dockerfile.oracle',
      dockerfile: '{{ include "shared" }}\nFROM oraclelinux:9-slim\nCMD ["mysqld"]\n',
      errors: [{ messageId: 'template', line: 1, column: 1 }],
    },
    {
      name: 'balena placeholders',
      filename: 'Dockerfile.template',
      dockerfile: 'FROM balenalib/%%BALENA_MACHINE_NAME%%-debian\nCMD ["node", "server.js"]\n',
      errors: [{ messageId: 'template', line: 1, message: /balena renders it/ }],
    },
    {
      name: 'a Helm chart template given by name',
      filename: 'deployment.yaml',
      manifest:
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "app.fullname" . }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: "{{ .Values.image }}"\n',
      errors: [{ messageId: 'template', line: 4, column: 9, message: /helm template CHART \| pid1 lint -/ }],
    },
    {
      name: 'placeholders a script fills in',
      filename: 'etcd-controller-template.yaml',
      manifest: 'apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: etcd-{{cell}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: etcd\n          image: etcd:3\n',
      errors: [{ messageId: 'template', line: 4, column: 14 }],
    },
  ],
});
