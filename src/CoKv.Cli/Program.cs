Console.WriteLine("cokv");
