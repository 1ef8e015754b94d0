// `#web-tree-sitter` (package.json "imports") is web-tree-sitter's own runtime, copied into dist/vendor/ at
// build time (scripts/copy-wasm.mjs) so that the package does not depend on all of web-tree-sitter; its
// types are the package's (a devDependency).
declare module '#web-tree-sitter' {
  export * from 'web-tree-sitter';
}
