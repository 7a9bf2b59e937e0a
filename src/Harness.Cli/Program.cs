using Harness.Cli;

return await CliApp.RunAsync(args);
