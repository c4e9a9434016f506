namespace DenseNetGen.Checkpoints;

/// <summary>
/// Finds the weights in an unpickled torch.save object. Training scripts keep them under one entry of a dict and
/// save much else beside it: mmengine/mmpretrain and timm use <c>state_dict</c> (timm adds <c>state_dict_ema</c>),
/// torchvision's reference scripts <c>model</c> (and <c>model_ema</c>), some wrappers <c>module</c>; a bare
/// state dict is the weights itself.
/// </summary>
internal static class WeightsEntry
{
    private static readonly string[] Trained = ["state_dict", "model", "module"];
    private static readonly string[] Ema = ["state_dict_ema", "model_ema"];
    private const int MaxOthersListed = 20;

    /// <summary>The dict holding the weights, the entry it came from (null for the top level) and the other top-level entries seen.</summary>
    public static (OrderedDictionary<object, object?> Weights, string? Entry, IReadOnlyList<string> Others) Find(
        object? root, CheckpointOptions options, ByteCursor cursor)
    {
        var top = root switch
        {
            OrderedDictionary<object, object?> dict => dict,
            PyObject placeholder => throw cursor.Fail($"holds a pickled {placeholder.Global.FullName} object, not a dict of tensors; nothing in it is executed (save the model's state_dict() instead)"),
            _ => throw cursor.Fail($"expected a dict of tensors at the top of the checkpoint, got {TorchGlobals.Describe(root)}"),
        };
        var names = options.UseEma ? Ema : Trained;
        var entry = names.FirstOrDefault(n => top.TryGetValue(n, out var value) && HoldsWeights(value, n, cursor));
        if (entry is null && options.UseEma)
            throw cursor.Fail($"has no EMA weights (looked for {string.Join(", ", Ema)}; top-level entries: {Listed(top.Keys)})");
        // Beside a bare state dict, the other entries are what is not a tensor (a placeholder may stand for one).
        var others = entry is null
            ? top.Where(e => e.Value is not (TensorRef or PyObject)).Select(e => e.Key).ToList()
            : top.Keys.Where(k => !Equals(k, entry)).ToList();
        if (entry is null && !top.Values.Any(v => v is TensorRef) && Ema.FirstOrDefault(n => top.TryGetValue(n, out var v) && HoldsWeights(v, n, cursor)) is { } ema)
            throw cursor.Fail($"holds only EMA weights ('{ema}'); ask for them explicitly (--ema, CheckpointOptions.UseEma)");
        var weights = entry is null ? top : (OrderedDictionary<object, object?>)top[entry]!;
        return (weights, entry, [.. others.Take(MaxOthersListed).Select(Name), .. others.Count > MaxOthersListed ? [$"{others.Count - MaxOthersListed} more"] : Array.Empty<string>()]);
    }

    private static bool HoldsWeights(object? value, string entry, ByteCursor cursor) => value switch
    {
        OrderedDictionary<object, object?> dict => dict.Values.Any(v => v is TensorRef),
        PyObject placeholder => throw cursor.Fail($"entry '{entry}' is a pickled {placeholder.Global.FullName} object, not a state dict; nothing in it is executed (save the model's state_dict() instead)"),
        _ => false,
    };

    private static string Listed(IEnumerable<object> keys) => string.Join(", ", keys.Take(MaxOthersListed).Select(Name));

    private static string Name(object key) => key as string ?? TorchGlobals.Describe(key);
}
