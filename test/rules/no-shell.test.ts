import rule from '../../src/rules/no-shell.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { dockerfile: 'FROM gcr.io/distroless/static-debian12\nENTRYPOINT ["/app"]\n' },
    { name: 'distroless debug has busybox', dockerfile: 'FROM gcr.io/distroless/base:debug\nCMD /app\n' },
    // wenerme's base/base: ADD unpacks a local tar archive, here Alpine's mini root filesystem (busybox as /bin/sh)
    {
      name: 'scratch with an Alpine mini root filesystem ADDed into /',
      dockerfile: 'FROM scratch\nARG ALPINE_RELEASE=3.19.1\nADD alpine-minirootfs-${ALPINE_RELEASE}-x86_64.tar.gz /\nCMD ["/bin/sh", "-c", "exec app"]\n',
    },
    { name: 'scratch with another root filesystem archive ADDed into /: its shell is unknown, not absent', dockerfile: 'FROM scratch\nADD rootfs.tar.xz /\nCMD /app\n' },
    // chainguard-images/images' locked config of minio: bash and bash-binsh are installed
    {
      name: "Chainguard's minio has bash as /bin/sh",
      compose: "services:\n  minio:\n    image: cgr.dev/chainguard/minio\n    entrypoint: sh\n    command: -c 'mkdir -p /data/langfuse && minio server /data'\n",
    },
    { name: 'fluent-bit -debug is debian-slim', dockerfile: 'FROM fluent/fluent-bit:1.9.6-debug\nCMD /fluent-bit/bin/fluent-bit -i cpu -o stdout\n' },
  ],
  invalid: [
    {
      dockerfile: 'FROM gcr.io/distroless/static-debian12\nENTRYPOINT /app --serve\n',
      errors: [{ message: /no \/bin\/sh/ }],
      output: 'FROM gcr.io/distroless/static-debian12\nENTRYPOINT ["/app", "--serve"]\n',
    },
    // fluent-bit's release images are its distroless `production` stage; only the -debug tags (debian-slim) have a shell
    {
      name: 'fluent/fluent-bit release image: distroless, no sh',
      manifest:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: logs\nspec:\n  containers:\n  - name: fluentbit\n    image: fluent/fluent-bit:3.0.4\n    command: ["sh", "-c", "/fluent-bit/bin/fluent-bit -i tail -o stdout"]\n',
      errors: [{ message: /fluent-bit release images are built on distroless: no shell/ }],
      output: null,
    },
    {
      name: 'another Chainguard image: no shell',
      compose: "services:\n  redis:\n    image: cgr.dev/chainguard/redis\n    entrypoint: sh\n    command: -c 'redis-server --save 60 1'\n",
      errors: [{ message: /ship no shell/ }],
      output: null,
    },
    { name: 'scratch with sh -c', dockerfile: 'FROM scratch\nCOPY app /app\nCMD ["sh", "-c", "/app"]\n', errors: [{ severity: 'error' }], output: null },
  ],
});
