// Appended inside the Emscripten module (--post-js) to expose what the npm layer needs and the
// generated code keeps private.

// The live memory buffer: views made from Module.HEAP* go stale when another thread grows memory.
Module['memoryBuffer'] = function () {
  return wasmMemory.buffer;
};

// A live worker pool keeps Node from exiting; ap.dispose() ends it.
Module['terminateThreads'] = function () {
  if (typeof PThread != 'undefined') PThread.terminateAllThreads();
};
