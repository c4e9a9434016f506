using DenseNetGen.Backends;
using DenseNetGen.Backends.Ilgpu.Runner;

namespace DenseNetGen.Runtime.Tests.Execution;

/// <summary>A failed CUDA graph capture: graphs off with a one-time warning, or an error under DENSENET_CUDA_GRAPHS=on.</summary>
public sealed class GraphCaptureTests
{
    [Fact]
    public void AFailedCaptureTurnsGraphsOffWithOneWarning()
    {
        var warnings = new StringWriter();
        var graphs = new GraphCapture(null, required: false, warnings);

        graphs.Stop("cuStreamEndCapture failed with CUresult 900.", "GPU 0");
        graphs.Stop("cuStreamEndCapture failed with CUresult 900.", "GPU 0");

        Assert.False(graphs.On);
        Assert.Equal("; CUDA graphs: off, plain launches (cuStreamEndCapture failed with CUresult 900.)", graphs.Setting);
        Assert.Equal("densenet: warning: CUDA graphs are off on 'GPU 0', launching plainly: cuStreamEndCapture failed with CUresult 900. " +
                     "(DENSENET_CUDA_GRAPHS=on makes this an error)" + Environment.NewLine, warnings.ToString());
    }

    [Fact]
    public void UnderOnAFailedCaptureIsAnError()
    {
        var warnings = new StringWriter();
        var graphs = new GraphCapture(null, required: true, warnings);

        var error = Assert.Throws<DeviceUnavailableException>(() => graphs.Stop("cuGraphInstantiateWithFlags failed with CUresult 1.", "GPU 0"));

        Assert.Equal("CUDA graph capture failed on 'GPU 0' and DENSENET_CUDA_GRAPHS=on requires graphs: cuGraphInstantiateWithFlags failed with CUresult 1.", error.Message);
        Assert.Empty(warnings.ToString());
    }

    [Theory]
    [InlineData("", "Default")]
    [InlineData(" On", "On")]
    [InlineData("off", "Off")]
    public void TheSettingIsDefaultOnOrOff(string text, string setting) => Assert.Equal(setting, CudaGraphs.Parse(text).ToString());
}
