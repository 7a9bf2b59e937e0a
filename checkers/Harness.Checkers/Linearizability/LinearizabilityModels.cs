using Harness.Checkers.Linearizability.Models;
using Harness.Core;

namespace Harness.Checkers.Linearizability;

/// <summary>The models known by name (<c>--model</c>).</summary>
public static class LinearizabilityModels
{
    /// <summary>Canonical names, in the order shown to users.</summary>
    public static IReadOnlyList<string> Names { get; } = ["register", "cas-register", "etcd", "multi-register", "mutex", "kv", "set", "queue"];

    /// <summary>A new model by name (or alias); throws <see cref="UserErrorException"/> for an unknown name.</summary>
    public static LinearizabilityModel ByName(string name) => name.ToLowerInvariant() switch
    {
        "register" => new RegisterModel(),
        "cas-register" or "knossos-cas-register" => RegisterModel.CasRegister(),
        "etcd" or "etcd-cas-register" or "porcupine-etcd" => new EtcdRegisterModel(),
        "multi-register" => new MultiRegisterModel(),
        "mutex" => new MutexModel(),
        "kv" or "kv-append" or "porcupine-kv" => new KvModel(),
        "set" => new SetModel(),
        "queue" or "fifo-queue" => new QueueModel(),
        _ => throw new UserErrorException($"unknown model '{name}' (expected one of: {string.Join(", ", Names)})"),
    };
}
