/**
 * An official image's STOPSIGNAL from pid1's table: under Docker Hub's own aliases and the mirrors that serve the same
 * image (mirror.gcr.io, ECR Public's docker/library), and not under a registry copy whose contents pid1 cannot tell; a
 * variant that decides the signal (php's fpm, apache, cli) must be readable in the tag.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseImageStopSignal } from '../src/sources/image-config.js';

const CASES: { image: string; signal: string | undefined; known: boolean }[] = [
  { image: 'php:8.2-fpm', signal: 'SIGQUIT', known: true },
  { image: 'docker.io/library/php:8.2-apache', signal: 'SIGWINCH', known: true },
  { image: 'public.ecr.aws/docker/library/nginx:1.27', signal: 'SIGQUIT', known: true },
  { image: 'mirror.gcr.io/nginx:1.27-alpine', signal: 'SIGQUIT', known: true },
  { image: 'ghcr.io/acme/library/php:8.2-fpm', signal: undefined, known: false },
  // the variant (fpm, apache, cli) decides php's signal: a tag from a build argument leaves it open
  { image: 'php:${PHP_VERSION}', signal: undefined, known: false },
  { image: 'nginx:${NGINX_VERSION}-alpine', signal: undefined, known: false },
];

describe("an official image's STOPSIGNAL by its name", () => {
  for (const c of CASES) {
    it(c.image, () => {
      const s = baseImageStopSignal(c.image);
      assert.equal(s.signal, c.signal);
      assert.equal(s.known, c.known);
    });
  }
});
