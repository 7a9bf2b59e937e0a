namespace Harness.Provisioning.Ssh;

/// <summary>
/// The one function that turns an argument vector into a command line for the remote user's POSIX shell (an SSH
/// "exec" request is a string the shell parses): every element single-quoted, a <c>'</c> inside written as
/// <c>'\''</c>. Inside single quotes a POSIX shell expands nothing (no <c>$</c>, backticks, globs, <c>;</c>,
/// newlines), so each element reaches the program exactly. NUL cannot be passed in an argv at all: refused.
/// </summary>
public static class ShellQuoting
{
    /// <summary>One argument, quoted (the empty string becomes <c>''</c>).</summary>
    public static string Quote(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        if (argument.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("an argument for a remote command cannot contain NUL", nameof(argument));
        return "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>The command line that runs <paramref name="argv"/> (program first) through the remote shell.</summary>
    public static string Join(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0) throw new ArgumentException("a remote command needs a program", nameof(argv));
        return string.Join(' ', argv.Select(Quote));
    }
}
