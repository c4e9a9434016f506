using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using DenseNetGen.Generator.Emitting;
using DenseNetGen.Generator.Model;
using DenseNetGen.Generator.Parsing;
using DenseNetGen.Generator.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace DenseNetGen.Generator
{
    /// <summary>
    /// Generates a typed network class for every <c>*.densenet.json</c> AdditionalFile. Each spec flows
    /// through its own cached pipeline steps, so editing one spec regenerates only that spec.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class DenseNetGenerator : IIncrementalGenerator
    {
        public const string SpecSuffix = ".densenet.json";

        /// <summary>Names of the tracked pipeline steps (for incrementality tests).</summary>
        public static class StepNames
        {
            public const string Specs = "DenseNetGen.Specs";
            public const string Labels = "DenseNetGen.Labels";
            public const string DefaultNamespace = "DenseNetGen.DefaultNamespace";
            public const string Plans = "DenseNetGen.Plans";
            public const string Duplicates = "DenseNetGen.Duplicates";
            public const string Output = "DenseNetGen.Output";
            public const string GpuReferenced = "DenseNetGen.GpuReferenced";
        }

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var specs = context.AdditionalTextsProvider
                .Where(static text => IsSpec(text))
                .Select(static (text, ct) => ReadSpec(text, ct))
                .WithTrackingName(StepNames.Specs);

            // Labels files are read only when a spec names one: the other AdditionalFiles pass through unread, and a
            // spec whose class names came out the same leaves every later step cached.
            var otherFiles = context.AdditionalTextsProvider.Where(static text => !IsSpec(text)).Collect();
            var labelled = specs
                .Combine(otherFiles)
                .Select(static (pair, ct) => ReadLabelsFile(pair.Left, pair.Right, ct))
                .WithTrackingName(StepNames.Labels);

            var defaultNamespace = context.AnalyzerConfigOptionsProvider
                .Combine(context.CompilationProvider.Select(static (compilation, _) => compilation.AssemblyName))
                .Select(static (pair, _) => DefaultNamespace(pair.Left, pair.Right))
                .WithTrackingName(StepNames.DefaultNamespace);

            var plans = labelled
                .Combine(defaultNamespace)
                .Select(static (pair, ct) => BuildPlan(pair.Left, pair.Right))
                .WithTrackingName(StepNames.Plans);

            // Only names are collected, so editing one spec leaves the other specs' outputs cached.
            var duplicates = plans
                .Select(static (spec, _) => (Name: spec.Plan?.FullName, spec.Path))
                .Collect()
                .Select(static (names, _) => LaterDuplicates(names))
                .WithTrackingName(StepNames.Duplicates);

            var output = plans.Combine(duplicates).WithTrackingName(StepNames.Output);
            context.RegisterSourceOutput(output, static (spc, pair) => Emit(spc, pair.Left, pair.Right));

            var gpuReferenced = context.CompilationProvider
                .Select(static (compilation, _) => compilation.ReferencedAssemblyNames.Any(a => a.Name == GpuRegistration.AssemblyName))
                .WithTrackingName(StepNames.GpuReferenced);
            context.RegisterSourceOutput(gpuReferenced, static (spc, referenced) =>
            {
                if (referenced)
                    spc.AddSource(GpuRegistration.HintName, GpuRegistration.Source);
            });
        }

        private static bool IsSpec(AdditionalText text) => text.Path.EndsWith(SpecSuffix, StringComparison.OrdinalIgnoreCase);

        private static SpecResult ReadLabelsFile(SpecResult spec, ImmutableArray<AdditionalText> files, CancellationToken ct)
        {
            if (spec.Spec?.LabelsFile is null) return spec;
            try
            {
                var result = LabelFiles.Resolve(spec.Spec, spec.Path, files, ct);
                var diagnostics = new List<DiagnosticInfo>(spec.Diagnostics);
                diagnostics.AddRange(result.Diagnostics);
                return new SpecResult(spec.Path, result.Spec, diagnostics.ToEquatableArray());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new SpecResult(spec.Path, null, InternalError(spec.Path, e));
            }
        }

        private static SpecResult ReadSpec(AdditionalText file, CancellationToken ct)
        {
            try
            {
                var text = file.GetText(ct);
                if (text is null)
                {
                    var location = new SourceLocation(file.Path, default, default);
                    return new SpecResult(file.Path, null, new EquatableArray<DiagnosticInfo>(new[]
                    {
                        DiagnosticInfo.Create(DiagnosticDescriptors.InvalidJson, location, "the file could not be read"),
                    }));
                }
                var result = SpecParser.Parse(file.Path, text.ToString());
                return new SpecResult(file.Path, result.Spec, result.Diagnostics);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new SpecResult(file.Path, null, InternalError(file.Path, e));
            }
        }

        private static string? DefaultNamespace(AnalyzerConfigOptionsProvider options, string? assemblyName)
        {
            if (options.GlobalOptions.TryGetValue("build_property.RootNamespace", out var root) && CSharpNames.IsValidNamespace(root))
                return root;
            return assemblyName is not null && CSharpNames.IsValidNamespace(assemblyName) ? assemblyName : null;
        }

        private static SpecPlan BuildPlan(SpecResult spec, string? defaultNamespace)
        {
            if (spec.Spec is null) return new SpecPlan(spec.Path, null, spec.Diagnostics);
            try
            {
                var result = PlanBuilder.Build(spec.Spec, spec.Spec.Namespace ?? defaultNamespace);
                var diagnostics = new List<DiagnosticInfo>(spec.Diagnostics);
                diagnostics.AddRange(result.Diagnostics);
                return new SpecPlan(spec.Path, result.Plan, diagnostics.ToEquatableArray());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new SpecPlan(spec.Path, null, InternalError(spec.Path, e));
            }
        }

        /// <summary>Paths of the specs whose class an earlier spec (in AdditionalFiles order) already defines.</summary>
        private static EquatableArray<string> LaterDuplicates(ImmutableArray<(string? Name, string Path)> specs)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var duplicates = new List<string>();
            foreach (var spec in specs)
            {
                if (spec.Name is not null && !seen.Add(spec.Name)) duplicates.Add(spec.Path);
            }
            return duplicates.ToEquatableArray();
        }

        private static void Emit(SourceProductionContext context, SpecPlan spec, EquatableArray<string> duplicatePaths)
        {
            try
            {
                foreach (var diagnostic in spec.Diagnostics) context.ReportDiagnostic(diagnostic.ToDiagnostic());
                if (spec.Plan is not PlanModel plan) return;
                if (duplicatePaths.Contains(spec.Path))
                {
                    context.ReportDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateName, plan.NameLocation, plan.FullName).ToDiagnostic());
                    return;
                }
                context.AddSource(PlanEmitter.HintName(plan), SourceText.From(PlanEmitter.Emit(plan), System.Text.Encoding.UTF8));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                foreach (var diagnostic in InternalError(spec.Path, e)) context.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        }

        private static EquatableArray<DiagnosticInfo> InternalError(string path, Exception e) =>
            new(new[]
            {
                DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, new SourceLocation(path, default, default), e.GetType().Name + ": " + e.Message),
            });

        private sealed record SpecResult(string Path, NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

        private sealed record SpecPlan(string Path, PlanModel? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
    }
}
