namespace DenseNetGen;

/// <summary>
/// The base of every error DenseNetGen raises for a problem in what it was given rather than in itself: a checkpoint
/// that cannot be read or does not fit (<see cref="Checkpoints.CheckpointException"/>), an image that cannot be
/// decoded (<c>DenseNetGen.Preprocessing.ImageDecodeException</c>, in the DenseNetGen.Vision package), a device that is not there
/// (<see cref="Backends.DeviceUnavailableException"/>). Each carries what failed as data, not only in its message.
/// </summary>
public abstract class DenseNetException(string message, Exception? inner = null) : Exception(message, inner);
