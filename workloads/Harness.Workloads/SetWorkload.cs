using Harness.Core.Generators;
using Harness.Core.Histories;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Workloads;

/// <summary>Unique adds (f add, value n), then after healing every client reads the whole set (f read, value [ints]).</summary>
public static class SetWorkload
{
    public const string Name = "set";
    public const string Add = "add";
    public const string Read = "read";

    public static Workload Create(TestOptions options) => new()
    {
        Name = Name,
        Generator = new AddGenerator(0),
        Final = Gen.EachThread(Gen.Op(Read)),
        Checker = WorkloadCheckers.Set(options),
    };

    private sealed class AddGenerator(long next) : IGenerator
    {
        public GenStep Next(GenContext ctx) => ctx.SomeFreeProcess() is { } process
            ? new GenStep.Emit(new Operation(OpType.Invoke, process, Add, Datum.Of(next)) { TimeNanos = ctx.TimeNanos }, new AddGenerator(next + 1))
            : new GenStep.Pending(this);
    }
}
