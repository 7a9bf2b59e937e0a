namespace Harness.Core;

/// <summary>
/// Bad input from the user (unknown database, bad flag value, missing privileges...). The CLI prints the
/// message as one line, with no stack trace, and exits 254. The message says what is wrong and how to fix it.
/// </summary>
public sealed class UserErrorException(string message) : Exception(message);
