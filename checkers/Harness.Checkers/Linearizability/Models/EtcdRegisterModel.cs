using Harness.Core.Histories;

namespace Harness.Checkers.Linearizability.Models;

/// <summary>
/// The etcd register of Porcupine's tests: initially nil (missing); read returns the value (nil when
/// missing); write; cas [a b]. An ok cas compared equal; a <em>failed</em> cas compared unequal: it happened
/// and must linearize where the value is not a. A read that failed or timed out matches anything (left out);
/// info writes/cas are open until the end and may take effect or not. Keyed histories are checked per key.
/// </summary>
public sealed class EtcdRegisterModel : LinearizabilityModel<int, RegisterOp>
{
    public override string Name => "etcd";
    public override string Description => "Porcupine's etcd register: read/write/cas, a failed cas means the compare failed; per key";
    public override bool SplitsByKey => true;

    public override OpInclusion Convert(in OpPair pair, ValueInterner values, out RegisterOp op)
    {
        switch (pair.F)
        {
            case "read":
                op = new RegisterOp(RegisterOpKind.Read, values.Id(pair.Output), 0);
                return pair.ReadInclusion;
            case "write":
                op = new RegisterOp(RegisterOpKind.Write, values.Id(pair.Input), 0);
                return pair.DefaultInclusion;
            case "cas":
                var (old, @new) = RegisterValues.CasPair(pair);
                var kind = pair.Outcome switch
                {
                    OpType.Ok => RegisterOpKind.Cas,
                    OpType.Fail => RegisterOpKind.CasFailed,
                    _ => RegisterOpKind.CasUnknown,
                };
                op = new RegisterOp(kind, values.Id(old), values.Id(@new));
                return pair.Outcome is OpType.Ok or OpType.Fail ? OpInclusion.Required : OpInclusion.Optional;
            default:
                throw RegisterValues.UnknownF(pair, Name, "read, write, cas");
        }
    }

    public override int Init(ValueInterner values) => ValueInterner.Nil;

    public override bool Step(in int state, in RegisterOp op, out int next) => op.Apply(state, out next);

    public override string DescribeState(in int state, ValueInterner values) =>
        state == ValueInterner.Nil ? "the key is missing (nil)" : $"the register holds {values.Describe(state)}";
}
