namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>
/// A request the server refuses: an HTTP status (400 unless said otherwise) and a message saying what was wrong,
/// sent as the protocol's error object <c>{ "error": message }</c>.
/// </summary>
internal sealed class InferenceError(string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
{
    public int Status { get; } = status;
}
