// @ts-check
// require() of an optional peer, untyped: the peers are not rnnkit dependencies, so they bring no
// types, and a module name held in a variable keeps the type checker from looking for them.
'use strict';

/** @param {string} id @returns {any} */
function requirePeer(id) {
  return require(id);
}

/** Whether a module can be found from here (node_modules up the tree, NODE_PATH). @param {string} id */
function resolvable(id) {
  try {
    require.resolve(id);
    return true;
  } catch {
    return false;
  }
}

module.exports = { requirePeer, resolvable };
