using Tributary.Cli;

return await TributaryCli.RunAsync(args, Console.Out, Console.Error, TimeProvider.System);
