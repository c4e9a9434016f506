namespace DenseNetGen.Serving;

/// <summary>One pass a pool ran: how many calls and images it held and how long it took on its replica.</summary>
public readonly record struct BatchRun(int Calls, int Images, TimeSpan Duration);
