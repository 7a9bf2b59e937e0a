using Harness.Core.Histories;

namespace Harness.Checkers.Linearizability.Models;

/// <summary>
/// A FIFO queue, initially empty: <c>enqueue v</c>; <c>dequeue</c> returning the front element (nil when
/// empty). Fails never happened; an info enqueue may take effect or not; an info dequeue may remove the front
/// (whatever it is) or not.
/// </summary>
public sealed class QueueModel : LinearizabilityModel<QueueState, QueueModel.Op>
{
    /// <summary>Kind 0 enqueue Value, 1 dequeue returning Value, 2 dequeue with an unknown result.</summary>
    public readonly record struct Op(byte Kind, int Value);

    public override string Name => "queue";
    public override string Description => "FIFO queue: enqueue v / dequeue -> v (nil when empty), initially empty";

    public override OpInclusion Convert(in OpPair pair, ValueInterner values, out Op op)
    {
        switch (pair.F)
        {
            case "enqueue":
                op = new Op(0, values.Id(pair.Input));
                return pair.DefaultInclusion;
            case "dequeue":
                op = pair.Outcome == OpType.Ok ? new Op(1, values.Id(pair.Output)) : new Op(2, 0);
                return pair.DefaultInclusion;
            default:
                throw RegisterValues.UnknownF(pair, Name, "enqueue, dequeue");
        }
    }

    public override QueueState Init(ValueInterner values) => new([]);

    public override bool Step(in QueueState state, in Op op, out QueueState next)
    {
        var items = state.Items;
        switch (op.Kind)
        {
            case 0:
                next = new QueueState([.. items, op.Value]);
                return true;
            case 1 when op.Value == ValueInterner.Nil:
                next = state;
                return items.Length == 0;
            case 1:
                next = items.Length > 0 ? new QueueState(items[1..]) : state;
                return items.Length > 0 && items[0] == op.Value;
            default:
                next = items.Length > 0 ? new QueueState(items[1..]) : state;
                return true;
        }
    }

    public override bool HasHeapStates => true;

    public override int StateHeapBytes(in QueueState state) => ArrayBytes(state.Items.Length, sizeof(int));

    public override string DescribeState(in QueueState state, ValueInterner values) =>
        state.Items.Length == 0 ? "the queue is empty" : $"the queue holds [{string.Join(" ", state.Items.Take(50).Select(values.Describe))}{(state.Items.Length > 50 ? " ..." : "")}] (front first)";
}
