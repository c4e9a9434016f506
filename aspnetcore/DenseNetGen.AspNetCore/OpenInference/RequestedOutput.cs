namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>
/// An output a request asks for: its name, whether it comes back as binary data (the binary tensor data
/// extension's "binary_data"), and the classification extension's top-k count, when given.
/// </summary>
internal sealed record RequestedOutput(string Name, bool Binary, int? Classification);
