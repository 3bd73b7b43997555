global using CoKv.Tests;
