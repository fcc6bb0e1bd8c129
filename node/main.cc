// The eichub binary: every subcommand lives in node/cli.
int main() { return 0; }
