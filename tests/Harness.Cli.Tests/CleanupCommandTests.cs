using Harness.Cli.Commands;
using Harness.Core.Control;

namespace Harness.Cli.Tests;

public sealed class CleanupCommandTests
{
    [Fact]
    public void Should_NameWhatWasRemoved_InOnePhrase_When_ARunIsCleaned()
    {
        // Given what a killed netns run left
        RunResource[] removed =
        [
            RunResource.Process(10, 1), RunResource.Process(11, 1),
            new("namespace", "h1a2bn1"), new("namespace", "h1a2bn2"),
            new("bridge", "hb1a2b"),
            new("iptables", "FORWARD -i hb1a2b -o hb1a2b -j ACCEPT -m comment --comment harness-1a2b"),
            new("directory", "/dev/shm/h1a2b"),
            new("sysv-shm", "32768"),
        ];

        // Then one phrase names each kind, counted, with the name when there is one of it
        Assert.Equal("2 namespaces, 2 processes, bridge hb1a2b, FORWARD rule, directory /dev/shm/h1a2b, 1 shared memory segment, 3 .NET diagnostic files",
            CleanupCommand.Describe(removed, 3));
        Assert.Equal("nothing (already gone)", CleanupCommand.Describe([], 0));
    }
}
