namespace DenseNetGen.Checkpoints;

/// <summary>Element types a checkpoint may store; every one is read, and converted to float32 for the caller.</summary>
internal enum ElementType { Float32, Float16, BFloat16, Float64, Int64, Int32, Int16, Int8, UInt8, Bool }

internal static class ElementTypes
{
    public static int Size(this ElementType type) => type switch
    {
        ElementType.Float64 or ElementType.Int64 => 8,
        ElementType.Float32 or ElementType.Int32 => 4,
        ElementType.Float16 or ElementType.BFloat16 or ElementType.Int16 => 2,
        _ => 1,
    };

    /// <summary>PyTorch's name for the type, as <c>densenet check</c> shows it.</summary>
    public static string TorchName(this ElementType type) => type switch
    {
        ElementType.Float32 => "float32",
        ElementType.Float16 => "float16",
        ElementType.BFloat16 => "bfloat16",
        ElementType.Float64 => "float64",
        ElementType.Int64 => "int64",
        ElementType.Int32 => "int32",
        ElementType.Int16 => "int16",
        ElementType.Int8 => "int8",
        ElementType.UInt8 => "uint8",
        _ => "bool",
    };

    /// <summary>The element type of a legacy typed storage class (torch.FloatStorage…), or null when it is not one.</summary>
    public static ElementType? FromTorchStorage(string className) => className switch
    {
        "FloatStorage" => ElementType.Float32,
        "HalfStorage" => ElementType.Float16,
        "BFloat16Storage" => ElementType.BFloat16,
        "DoubleStorage" => ElementType.Float64,
        "LongStorage" => ElementType.Int64,
        "IntStorage" => ElementType.Int32,
        "ShortStorage" => ElementType.Int16,
        "CharStorage" => ElementType.Int8,
        "ByteStorage" => ElementType.UInt8,
        "BoolStorage" => ElementType.Bool,
        _ => null,
    };

    public static ElementType? FromSafetensors(string dtype) => dtype switch
    {
        "F32" => ElementType.Float32,
        "F16" => ElementType.Float16,
        "BF16" => ElementType.BFloat16,
        "F64" => ElementType.Float64,
        "I64" => ElementType.Int64,
        "I32" => ElementType.Int32,
        "I16" => ElementType.Int16,
        "I8" => ElementType.Int8,
        "U8" => ElementType.UInt8,
        "BOOL" => ElementType.Bool,
        _ => null,
    };
}
