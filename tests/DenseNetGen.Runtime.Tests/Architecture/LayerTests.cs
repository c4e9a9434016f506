using System.Reflection;
using System.Reflection.Emit;
using DenseNetGen.Backends.Ilgpu;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Execution;

namespace DenseNetGen.Runtime.Tests.Architecture;

/// <summary>
/// Layers point one way: the backend contract (runtime/Backends) and the backends (runtime/Backends/Simd, gpu/)
/// never name the selection layer (DenseNetGen.Execution: ComputeDevice, BackendRegistry, PlanExecutor), which is
/// the only code that names a concrete backend. Checked on the compiled assemblies, so a reference from a
/// signature, a field, a lambda's closure or a method body counts, and a word in a comment does not.
/// </summary>
public sealed class LayerTests
{
    private const string Backends = "DenseNetGen.Backends";
    private const string Selection = "DenseNetGen.Execution";

    private static readonly Assembly[] s_assemblies = [typeof(SimdBackend).Assembly, typeof(IlgpuBackend).Assembly];

    [Fact]
    public void NoBackendRefersToTheSelectionLayer()
    {
        var offenders = References(Backends).Where(r => InNamespace(r.Used, Selection)).Select(r => $"{r.User} -> {r.Used}").ToHashSet();
        Assert.Empty(offenders);
    }

    /// <summary>The check sees references in method bodies: the selection layer's own use of the contract is found.</summary>
    [Fact]
    public void TheCheckSeesReferencesInMethodBodies()
    {
        var used = References(Selection).Where(r => r.User.StartsWith(typeof(PlanExecutor).FullName!, StringComparison.Ordinal))
            .Select(r => r.Used).ToHashSet();
        Assert.Contains("DenseNetGen.Backends.IShapedNetwork", used); // only called in PlanExecutor's bodies
        Assert.Contains("DenseNetGen.Planning.PlanGeometry", used);
    }

    private static bool InNamespace(string fullName, string ns) => fullName.StartsWith(ns + ".", StringComparison.Ordinal);

    /// <summary>Every type each type of namespace <paramref name="ns"/> (nested and compiler-generated types included) refers to.</summary>
    private static IEnumerable<(string User, string Used)> References(string ns)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in s_assemblies.SelectMany(a => a.GetTypes()).Where(t => t.Namespace == ns || t.Namespace?.StartsWith(ns + ".", StringComparison.Ordinal) == true))
        {
            var used = new List<Type?> { type.BaseType };
            used.AddRange(type.GetInterfaces());
            used.AddRange(type.GetFields(all).Select(f => f.FieldType));
            used.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                used.AddRange(method.GetParameters().Select(p => p.ParameterType));
                if (method is MethodInfo m) used.Add(m.ReturnType);
                used.AddRange(method.GetMethodBody()?.LocalVariables.Select(l => l.LocalType) ?? []);
                used.AddRange(BodyReferences(method));
            }
            foreach (var name in used.SelectMany(Expand).Select(t => t.FullName ?? t.Name).Distinct())
                yield return (type.FullName!, name);
        }
    }

    /// <summary>A type with its generic arguments and element types, recursively.</summary>
    private static IEnumerable<Type> Expand(Type? type)
    {
        if (type is null || type.IsGenericParameter) yield break;
        if (type.HasElementType)
        {
            foreach (var inner in Expand(type.GetElementType())) yield return inner;
            yield break;
        }
        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
            foreach (var argument in type.GetGenericArguments().SelectMany(Expand)) yield return argument;
    }

    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The types a method body's instructions name: the types of its type tokens, the declaring types and signatures of the members it calls or loads.</summary>
    private static IEnumerable<Type?> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            var op = il[i] == 0xFE ? s_opCodes[unchecked((short)(0xFE00 | il[i + 1]))] : s_opCodes[il[i]];
            i += op.Size;
            switch (op.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                    i += 4;
                    switch (member)
                    {
                        case Type t:
                            yield return t;
                            break;
                        case FieldInfo f:
                            yield return f.DeclaringType;
                            yield return f.FieldType;
                            break;
                        case MethodBase m:
                            yield return m.DeclaringType;
                            foreach (var p in m.GetParameters()) yield return p.ParameterType;
                            if (m is MethodInfo mi) yield return mi.ReturnType;
                            if (m.IsGenericMethod)
                                foreach (var a in m.GetGenericArguments()) yield return a;
                            break;
                    }
                    break;
                default: // InlineBrTarget, InlineI, ShortInlineR, InlineString, InlineSig
                    i += 4;
                    break;
            }
        }
    }
}
