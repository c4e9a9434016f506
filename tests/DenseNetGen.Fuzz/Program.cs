using DenseNetGen.Checkpoints;
using DenseNetGen.Tests.Nets;
using SharpFuzz;

// One AFL++ execution per input: read it as a checkpoint file of any format and bind it to OddImageNet, the net
// the reference checkpoints (the seeds) were written for. A CheckpointException is the documented answer to a bad
// file; any other exception, a crash or a hang is a finding.
Fuzzer.OutOfProcess.Run(stream =>
{
    try
    {
        CheckpointBinder.Bind(stream, "fuzz-input", OddImageNet.Definition);
    }
    catch (CheckpointException)
    {
    }
});
