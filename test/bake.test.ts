/**
 * The Docker Bake reader (src/sources/bake.ts): what each target of an HCL or JSON bake file builds, as
 * `docker buildx bake --print` would show it, and what it cannot settle left unknown rather than guessed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BakeTarget, HOLE, looksLikeBake, readBake } from '../src/sources/bake.js';

function targets(text: string): BakeTarget[] {
  const r = readBake(text);
  if (!r.ok) assert.fail(r.message);
  return r.targets;
}

const one = (text: string, name: string): BakeTarget => {
  const t = targets(text).find((x) => x.name === name);
  assert.ok(t, `no target ${name}`);
  return t;
};

interface Case {
  name: string;
  hcl: string;
  target: string;
  tags?: string[];
  context?: string;
  dockerfile?: string;
  stage?: string;
  args?: Record<string, string>;
}

const cases: Case[] = [
  {
    name: 'defaults: context ".", Dockerfile "Dockerfile", no tags',
    hcl: 'target "app" {}\n',
    target: 'app',
    tags: [],
    context: '.',
    dockerfile: 'Dockerfile',
  },
  {
    name: 'a one-line block, comments of the three kinds, an identifier label',
    hcl: '# top\n// also\n/* and\n   this */\ntarget app { context = "./app" }\n',
    target: 'app',
    context: './app',
  },
  {
    name: 'a variable that uses another, string escapes, $${ as literal text',
    hcl: 'variable "ORG" { default = "acme" }\nvariable "IMG" { default = "${ORG}/web" }\ntarget "web" {\n  tags = ["${IMG}:1", "${IMG}:\\u0031.0"]\n  args = { PS1 = "$${HOME}" }\n}\n',
    target: 'web',
    tags: ['acme/web:1', 'acme/web:1.0'],
    args: { PS1: '${HOME}' },
  },
  {
    name: "frappe_docker's tag function: regex inside can() on a version that does not match gives the empty tags, which are dropped",
    hcl: [
      'variable "REGISTRY_USER" { default = "frappe" }',
      'variable "ERPNEXT_VERSION" { default = "develop" }',
      'function "tag" {',
      '  params = [repo, version]',
      '  result = [',
      '    "${REGISTRY_USER}/${repo}:${version}",',
      '    "${version}" == "develop" ? "${REGISTRY_USER}/${repo}:latest" : "${REGISTRY_USER}/${repo}:${version}",',
      '    can(regex("(v[0-9]+)[.]", "${version}")) ? "${REGISTRY_USER}/${repo}:${regex("(v[0-9]+)[.]", "${version}")[0]}" : "",',
      '  ]',
      '}',
      'target "erpnext" {',
      '  dockerfile = "images/production/Containerfile"',
      '  target = "erpnext"',
      '  tags = tag("erpnext", "${ERPNEXT_VERSION}")',
      '}',
      '',
    ].join('\n'),
    target: 'erpnext',
    tags: ['frappe/erpnext:develop', 'frappe/erpnext:latest'],
    stage: 'erpnext',
    dockerfile: 'images/production/Containerfile',
  },
  {
    name: 'the same function on a release version: the regex matches and its first group is a tag',
    hcl: 'function "major" {\n  params = [v]\n  result = can(regex("(v[0-9]+)[.]", v)) ? regex("(v[0-9]+)[.]", v)[0] : "none"\n}\ntarget "t" { tags = ["x/y:${major("v15.2.0")}", "x/y:${major("main")}"] }\n',
    target: 't',
    tags: ['x/y:v15', 'x/y:none'],
  },
  {
    name: 'inherits: the parent first, own attributes over it, args merged key by key',
    hcl: 'target "base" {\n  context = "svc"\n  args = { A = "1", B = "1" }\n  tags = ["x/base"]\n}\ntarget "app" {\n  inherits = ["base"]\n  args = { B = "2" }\n  tags = ["x/app"]\n}\n',
    target: 'app',
    context: 'svc',
    tags: ['x/app'],
    args: { A: '1', B: '2' },
  },
  {
    name: 'standard functions bake files use: join, lower, format, replace, trimprefix, concat, compact',
    hcl: 'variable "V" { default = "v1.2" }\ntarget "t" {\n  tags = concat(compact(["", lower("Acme/API:${trimprefix(V, "v")}")]), [format("%s/%s:%s", "acme", "api", replace(V, ".", "-"))], [join("-", ["a", "b"])])\n}\n',
    target: 't',
    tags: ['acme/api:1.2', 'acme/api:v1-2', 'a-b'],
  },
  {
    name: 'a heredoc (indented form) and a top-level attribute as a variable',
    hcl: 'TAG = "edge"\ntarget "t" {\n  tags = [<<-EOT\n    acme/t:${TAG}\n    EOT\n  ]\n}\n',
    target: 't',
    tags: ['acme/t:edge'],
  },
  {
    name: 'a variable with no default, a cycle, a for expression and an unknown function: unknown parts stay holes, whole unknowns drop out',
    hcl: `variable "REG" {}\nvariable "A" { default = "\${B}" }\nvariable "B" { default = "\${A}" }\ntarget "t" {\n  tags = ["\${REG}/t:1", "x/a:\${A}", [for s in ["a"] : s], "x/\${timestamp()}"]\n}\n`,
    target: 't',
    tags: [`${HOLE}/t:1`, `x/a:${HOLE}`, `x/${HOLE}`],
  },
  {
    name: 'a conditional on an unknown value is unknown, not one branch taken',
    hcl: 'variable "CI" {}\ntarget "t" {\n  tags = [CI == "true" ? "x/t:ci" : "x/t:local", "x/t:always"]\n}\n',
    target: 't',
    tags: ['x/t:always'],
  },
];

describe('the bake reader evaluates targets as buildx does', () => {
  for (const c of cases) {
    it(c.name, () => {
      const t = one(c.hcl, c.target);
      if (c.tags) assert.deepEqual(t.tags, c.tags);
      if (c.context) assert.equal(t.context, c.context);
      if (c.dockerfile) assert.equal(t.dockerfile, c.dockerfile);
      assert.equal(t.target, c.stage);
      if (c.args) assert.deepEqual(t.args, c.args);
    });
  }

  it('a matrix makes a target per combination, named by its name expression', () => {
    const ts = targets(
      'target "os" {\n  matrix = {\n    variant = ["alpine", "debian"]\n    jdk = [17, 21]\n  }\n  name = "${variant}_jdk${jdk}"\n  dockerfile = "${variant}/Dockerfile"\n  tags = ["j/j:${jdk}-${variant}"]\n}\n',
    );
    assert.deepEqual(
      ts.map((t) => [t.name, t.dockerfile, t.tags.join()]),
      [
        ['alpine_jdk17', 'alpine/Dockerfile', 'j/j:17-alpine'],
        ['alpine_jdk21', 'alpine/Dockerfile', 'j/j:21-alpine'],
        ['debian_jdk17', 'debian/Dockerfile', 'j/j:17-debian'],
        ['debian_jdk21', 'debian/Dockerfile', 'j/j:21-debian'],
      ],
    );
  });

  it('named contexts and dockerfile-inline are kept (a target of another is what `FROM base` builds from)', () => {
    const t = one('target "app" {\n  contexts = { base = "target:base", src = "../src" }\n}\ntarget "tool" {\n  dockerfile-inline = "FROM alpine"\n}\n', 'app');
    assert.deepEqual(t.contexts, { base: 'target:base', src: '../src' });
    assert.equal(one('target "tool" {\n  dockerfile-inline = "FROM alpine"\n}\n', 'tool').inline, true);
  });

  it('the JSON form: the line of each target, strings as templates', () => {
    const ts = targets('{\n  "variable": {"T": {"default": "9"}},\n  "target": {\n    "a": {"tags": ["x/a:${T}"], "args": {"N": "${T}"}},\n    "b": {"context": "b"}\n  }\n}\n');
    assert.deepEqual(
      ts.map((t) => [t.name, t.line, t.tags.join(), t.args.N ?? '']),
      [
        ['a', 4, 'x/a:9', '9'],
        ['b', 5, '', ''],
      ],
    );
  });

  it('bad input is a message with the line, never an exception', () => {
    for (const [text, line] of [
      ['target "a" {\n  tags = ["x"\n}\n', /line 3/],
      ['target "a" {\n  context = "unterminated\n}\n', /line 2/],
      ['target "a" {\n  context = "."\n', /line 3: a block does not end/],
      ['target "a" {\n  tags = @\n}\n', /line 2: unexpected character "@"/],
      ['{"target": {"a": ', /JSON/],
    ] as const) {
      const r = readBake(text);
      assert.equal(r.ok, false, text);
      if (!r.ok) assert.match(r.message, line);
    }
  });

  it('tells a bake file from other HCL (Terraform, Packer, Nomad)', () => {
    assert.equal(looksLikeBake('target "app" {\n}\n'), true);
    assert.equal(looksLikeBake('{ "target": { "app": {} } }'), true);
    assert.equal(looksLikeBake('resource "aws_instance" "web" {\n  ami = "x"\n}\n'), false);
    assert.equal(looksLikeBake('source "docker" "ubuntu" {\n  image = "ubuntu"\n}\nbuild {\n  sources = ["source.docker.ubuntu"]\n}\n'), false);
    assert.equal(looksLikeBake('job "web" {\n  group "g" {}\n}\n'), false);
  });
});
