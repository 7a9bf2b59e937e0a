using Harness.Core.Generators;
using Harness.Core.Histories;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Workloads;

/// <summary>
/// Multi-op transactions over lists (Elle's list-append): f txn, value [["append",k,v],["r",k,null]]; appended
/// values are unique; keys rotate. Checked for the consistency model the database promises.
/// </summary>
public static class ListAppendWorkload
{
    public const string Name = "list-append";
    public const string Txn = "txn";
    public const string Append = "append";
    public const string Read = "r";
    public const int MaxTxnLength = 4;
    public const int AppendsPerKey = 64;

    /// <summary><paramref name="levelName"/>: the isolation level as the database names it, when the model checked
    /// (<paramref name="consistency"/>, what its documentation promises) is another.</summary>
    public static Workload Create(TestOptions options, string consistency, string? levelName = null) => new()
    {
        Name = Name,
        Generator = new TxnGenerator(KeyRotation.Create(options.KeyCount, AppendsPerKey * 2), 1, MaxTxnLength),
        Checker = WorkloadCheckers.ListAppend(consistency, levelName),
    };

    /// <summary>Transactions of 1..maxLength micro-ops; reads and appends equally likely.</summary>
    internal sealed class TxnGenerator(KeyRotation keys, long nextValue, int maxLength) : IGenerator
    {
        public GenStep Next(GenContext ctx)
        {
            if (ctx.SomeFreeProcess() is not { } process) return new GenStep.Pending(this);
            var length = ctx.Random.Next(1, maxLength + 1);
            var micro = new Datum[length];
            var pool = keys;
            var value = nextValue;
            for (var i = 0; i < length; i++)
            {
                (var key, pool) = pool.Pick(ctx.Random);
                micro[i] = ctx.Random.Next(2) == 0
                    ? Values.MicroOp(Read, key, Datum.Nil)
                    : Values.MicroOp(Append, key, Datum.Of(value++));
            }
            var op = new Operation(OpType.Invoke, process, Txn, Datum.Vec(micro)) { TimeNanos = ctx.TimeNanos };
            return new GenStep.Emit(op, new TxnGenerator(pool, value, maxLength));
        }
    }
}
