using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Harness.Core.Clients;
using Harness.Core.Control;

namespace Harness.Core.Tests.Clients;

public sealed class ClientRoutingTests
{
    private static readonly Node N1 = new("n1", "10.0.0.1", 1), N2 = new("n2", "10.0.0.2", 2), N3 = new("n3", "10.0.0.3", 3);
    private static readonly Node[] Nodes = [N1, N2, N3];

    [Fact]
    public void Should_KeepWritingToTheKnownPrimary_When_APromotionIsNewerThanTheRefresh()
    {
        // Given a client that learned n1 as the primary at t = 0
        var primary = N1;
        var now = 0L;
        var routing = new ClientRouting(Nodes, N3, () => primary, "primary", now: () => now);
        Assert.Equal(N1, routing.WriteNode);

        // When n2 is promoted, Then the client writes to n1 until the refresh is due, then to n2
        primary = N2;
        now = (long)ClientRouting.PrimaryRefresh.TotalMilliseconds;
        Assert.Equal(N1, routing.WriteNode);
        now++;
        Assert.Equal(N2, routing.WriteNode);
        Assert.Equal(N2, routing.ReadNode);
    }

    [Fact]
    public void Should_AskForThePrimaryAgain_When_TheClientForgetsIt()
    {
        var primary = N1;
        var routing = new ClientRouting(Nodes, N3, () => primary, "primary", now: () => 0);
        Assert.Equal(N1, routing.WriteNode);
        primary = N2;
        routing.Forget();
        Assert.Equal(N2, routing.WriteNode);
        // and while there is no primary, its own node
        primary = null!;
        routing.Forget();
        Assert.Equal(N3, routing.WriteNode);
    }

    [Fact]
    public void Should_ReadFromAStickyReplica_When_ReadFromIsReplica()
    {
        // a replica's client reads from its own node; the primary's client from a replica chosen by its node number
        Assert.Equal(N2, new ClientRouting(Nodes, N2, () => N1, "replica").ReadNode);
        Assert.Equal(N3, new ClientRouting(Nodes, N3, () => N1, "replica").ReadNode);
        var onPrimary = new ClientRouting(Nodes, N1, () => N1, "replica");
        Assert.Contains(onPrimary.ReadNode, new[] { N2, N3 });
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal(onPrimary.Replica, onPrimary.ReadNode));
        // a single node is its own replica
        Assert.Equal(N1, new ClientRouting([N1], N1, () => N1, "replica").ReadNode);
    }

    [Fact]
    public void Should_SpreadReadsOverEveryNode_When_ReadFromIsAny()
    {
        var routing = new ClientRouting(Nodes, N1, () => N1, "any");
        var seen = Enumerable.Range(0, 100).Select(_ => routing.ReadNode).ToHashSet();
        Assert.Equal(Nodes.ToHashSet(), seen);
        // seeded by the node number: the same sequence every time
        Assert.Single(Enumerable.Range(0, 20).Select(_ => new ClientRouting(Nodes, N1, () => N1, "any")).Select(r => r.ReadNode).Distinct());
    }

    [Fact]
    public void Should_WriteToItsOwnNode_When_EveryNodeTakesWrites()
    {
        var routing = new ClientRouting(Nodes, N2, () => null, "primary", ownNodeWrites: true);
        Assert.Equal(N2, routing.WriteNode);
        Assert.Equal(N2, routing.ReadNode);
    }

    [Fact]
    public async Task Should_ReuseAnOpenConnection_And_ReplaceADroppedOrClosedOne()
    {
        var made = new List<FakeConnection>();
        await using var connections = new NodeConnections<FakeConnection>(n =>
        {
            var c = new FakeConnection(n.Name);
            made.Add(c);
            return c;
        });
        var first = await connections.GetAsync(N1, CancellationToken.None);
        Assert.Same(first, await connections.GetAsync(N1, CancellationToken.None));
        Assert.NotSame(first, await connections.GetAsync(N2, CancellationToken.None));

        // dropped after an error: closed, and a new one next time
        await connections.DropAsync(N1);
        Assert.True(first.Closed);
        var second = await connections.GetAsync(N1, CancellationToken.None);
        Assert.NotSame(first, second);

        // closed by the server: replaced
        second.Break();
        var third = await connections.GetAsync(N1, CancellationToken.None);
        Assert.NotSame(second, third);
        Assert.True(second.Closed);

        // one that fails to open is disposed and the error reaches the caller
        var failing = new NodeConnections<FakeConnection>(n => new FakeConnection(n.Name) { Refuse = true });
        await Assert.ThrowsAsync<TimeoutException>(() => failing.GetAsync(N3, CancellationToken.None));
        await failing.DisposeAsync();

        // disposing closes every connection, and never throws
        made[1].ThrowOnClose = true;
        await connections.DisposeAsync();
        Assert.All(made, c => Assert.True(c.Closed));
    }

    /// <summary>A connection that opens without a server, for the pool's own logic.</summary>
    [SuppressMessage("Security", "CA2100", Justification = "no command is ever run")]
    public sealed class FakeConnection(string node) : DbConnection
    {
        private ConnectionState _state = ConnectionState.Closed;

        public bool Refuse { get; init; }
        public bool ThrowOnClose { get; set; }
        public bool Closed { get; private set; }

        public void Break() => _state = ConnectionState.Broken;

        [AllowNull]
        public override string ConnectionString { get; set; } = "";
        public override string Database => "";
        public override string DataSource => node;
        public override string ServerVersion => "";
        public override ConnectionState State => _state;

        public override void Open()
        {
            if (Refuse) throw new TimeoutException("refused");
            _state = ConnectionState.Open;
        }

        public override void Close() => _state = ConnectionState.Closed;

        public override ValueTask DisposeAsync()
        {
            Closed = true;
            _state = ConnectionState.Closed;
            var closing = base.DisposeAsync();
            if (ThrowOnClose) throw new IOException("reset");
            return closing;
        }

        public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();
        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => throw new NotSupportedException();
        protected override DbCommand CreateDbCommand() => throw new NotSupportedException();
    }
}
