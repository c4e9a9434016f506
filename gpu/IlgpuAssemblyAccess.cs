using System.Runtime.CompilerServices;

// ILGPU's CPU accelerator runs kernels through types it emits into a dynamic assembly named ILGPURuntime; those
// types take the kernels' parameter structs (ConvGeometry, PoolGeometry), which stay internal to this assembly.
[assembly: InternalsVisibleTo("ILGPURuntime")]
