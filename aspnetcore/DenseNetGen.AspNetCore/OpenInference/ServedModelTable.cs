namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>
/// The served models by name, and the protocol's 404 for a path naming a model or a version that is not served.
/// Each name is served in one version: the unversioned paths and /versions/{that version} reach the same model.
/// </summary>
internal sealed class ServedModelTable(IReadOnlyList<ServedModel> models)
{
    private readonly Dictionary<string, ServedModel> _byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);

    /// <summary>The model /v2/models/{name} names, or with /versions/{version} that version of it.</summary>
    /// <param name="name">The path's model name.</param>
    /// <param name="version">The path's version; null for the unversioned paths.</param>
    /// <exception cref="InferenceError">404: no model has the name, or it is served in another version; the message names what is served.</exception>
    public ServedModel Find(string name, string? version)
    {
        if (!_byName.TryGetValue(name, out var model))
            throw new InferenceError($"No model named '{name}' is served here; served: {string.Join(", ", _byName.Keys)}.", StatusCodes.Status404NotFound);
        if (version is not null && version != model.Version)
            throw new InferenceError($"Model '{name}' has no version '{version}' here; served: version {model.Version}.", StatusCodes.Status404NotFound);
        return model;
    }
}
