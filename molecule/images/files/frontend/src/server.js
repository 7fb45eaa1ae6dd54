// Fixture frontend: prints a greeting.
console.log("hello from the fixture frontend");
