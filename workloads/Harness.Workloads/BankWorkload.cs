using Harness.Core.Generators;
using Harness.Core.Histories;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Workloads;

/// <summary>
/// Bank transfers (Jepsen's bank): f transfer {"from":a,"to":b,"amount":n} and f read {"0":10,...}. Accounts
/// 0..<see cref="Accounts"/>-1 each start with <see cref="InitialBalance"/>; a transfer that would overdraw
/// fails. Every read must see the same total and no negative balance. Every client reads once at the end.
/// </summary>
public static class BankWorkload
{
    public const string Name = "bank";
    public const string Transfer = "transfer";
    public const string Read = "read";
    public const int Accounts = 5;
    public const long InitialBalance = 20;
    public const long Total = Accounts * InitialBalance;
    public const int MaxAmount = 5;

    public static Workload Create(TestOptions options) => new()
    {
        Name = Name,
        Generator = Gen.Fn(ctx =>
        {
            if (ctx.Random.Next(2) == 0) return new OpSpec(Read, Datum.Nil);
            var from = ctx.Random.Next(Accounts);
            var to = (from + ctx.Random.Next(1, Accounts)) % Accounts;
            return new OpSpec(Transfer, Values.Map(("from", Datum.Of(from)), ("to", Datum.Of(to)),
                ("amount", Datum.Of(ctx.Random.Next(1, MaxAmount + 1)))));
        }),
        Final = Gen.EachThread(Gen.Op(Read)),
        Checker = WorkloadCheckers.Bank(options),
    };
}
