Console.WriteLine("Junction: under construction.");
