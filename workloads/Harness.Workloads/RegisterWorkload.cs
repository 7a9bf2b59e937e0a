using Harness.Core.Generators;
using Harness.Core.Histories;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Workloads;

/// <summary>
/// Keyed read / write / cas registers (Jepsen's etcd register): values {"key":k,"value":v}, cas
/// {"key":k,"value":[old,new]}, keys rotate after <see cref="OpsPerKey"/> ops. Checked per key for
/// linearizability (cas-register model).
/// </summary>
public static class RegisterWorkload
{
    public const string Name = "register";
    public const string Read = "read";
    public const string Write = "write";
    public const string Cas = "cas";
    public const int OpsPerKey = 200;
    public const int ValueRange = 5;

    public static Workload Create(TestOptions options) => new()
    {
        Name = Name,
        Generator = new RegisterGenerator(KeyRotation.Create(options.KeyCount, OpsPerKey)),
        Checker = WorkloadCheckers.Register(options),
    };

    private sealed class RegisterGenerator(KeyRotation keys) : IGenerator
    {
        public GenStep Next(GenContext ctx)
        {
            if (ctx.SomeFreeProcess() is not { } process) return new GenStep.Pending(this);
            var (key, next) = keys.Pick(ctx.Random);
            var (f, value) = ctx.Random.Next(3) switch
            {
                0 => (Read, Datum.Nil),
                1 => (Write, Datum.Of(ctx.Random.Next(ValueRange))),
                _ => (Cas, Datum.Ints(ctx.Random.Next(ValueRange), ctx.Random.Next(ValueRange))),
            };
            var op = new Operation(OpType.Invoke, process, f, Values.KeyValue(key, value)) { TimeNanos = ctx.TimeNanos };
            return new GenStep.Emit(op, new RegisterGenerator(next));
        }
    }
}
