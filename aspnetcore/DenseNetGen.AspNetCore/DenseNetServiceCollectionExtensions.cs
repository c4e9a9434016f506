using DenseNetGen.Checkpoints;
using DenseNetGen.Backends;
using DenseNetGen.Execution;
using DenseNetGen.Planning;
using DenseNetGen.Serving;
using Microsoft.Extensions.DependencyInjection;

namespace DenseNetGen.AspNetCore;

/// <summary>Registers DenseNets with ASP.NET Core's services, as ML.NET's AddPredictionEnginePool does for its models.</summary>
public static class DenseNetServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DenseNetService{TModel}"/> as a singleton: the checkpoint is bound once on first use,
    /// and <see cref="PoolOptions.Replicas"/> replicas are made from it. For example
    /// <c>services.AddDenseNet(DenseNet121.Definition, DenseNet121.Create, o => o.Checkpoint = "densenet121.pth")</c>,
    /// then <c>app.MapPost("/classify", (HttpRequest r, DenseNetService&lt;DenseNet121&gt; net, CancellationToken ct) =&gt;
    /// net.Classifier.PredictAsync(r.Body, 5, "upload", ct))</c>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="definition">The generated class's <c>Definition</c>, which the checkpoint is bound against.</param>
    /// <param name="create">The generated class's <c>Create</c>.</param>
    /// <param name="configure">Sets the checkpoint and the pool's options.</param>
    /// <exception cref="ArgumentException">The options name no checkpoint (thrown when the service is first resolved).</exception>
    public static IServiceCollection AddDenseNet<TModel>(
        this IServiceCollection services,
        NetworkPlan definition,
        Func<BoundCheckpoint, ComputeDevice, TModel> create,
        Action<DenseNetOptions> configure) where TModel : DenseNetModel
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddSingleton(_ =>
        {
            var options = new DenseNetOptions();
            configure(options);
            if (string.IsNullOrEmpty(options.Checkpoint))
                throw new ArgumentException($"AddDenseNet<{typeof(TModel).Name}>: set DenseNetOptions.Checkpoint to the weights file.");
            var weights = CheckpointBinder.Bind(options.Checkpoint, definition, options.CheckpointOptions);
            return new DenseNetService<TModel>(DenseNetPool.Create(weights, create, options.Pool));
        });
        return services;
    }
}
