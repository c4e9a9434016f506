using DenseNetGen.Backends;
using System.CommandLine;
using DenseNetGen.Execution;

namespace DenseNetGen.Benchmarks.Commands;

internal static class DevicesCommand
{
    public static Command Create()
    {
        var command = new Command("devices", "List the devices ILGPU sees and the one auto picks");
        command.SetAction(_ =>
        {
            foreach (var d in ComputeDevice.ListDevices()) Console.WriteLine(d);
            using var device = ComputeDevice.Open(DeviceKind.Auto);
            Console.WriteLine($"auto: {device.Description}");
            return 0;
        });
        return command;
    }
}
