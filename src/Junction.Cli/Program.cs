using Junction.Cli;

return await Cli.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
