// Where npm put the anvil binary. @foundry-rs/anvil installs the build for this machine
// as an optional dependency named after platform and CPU; we run that binary directly
// (not the package's node wrapper) so stopping it needs no signal forwarding.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

export function anvilBinaryPath(platform: string = process.platform, arch: string = process.arch): string {
  const packageName = PLATFORM_PACKAGES[`${platform}-${arch}`];
  if (!packageName) throw new Error(`anvil has no npm build for ${platform}/${arch}`);
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve(`${packageName}/package.json`);
  } catch {
    throw new Error(`${packageName} is not installed (it comes with @foundry-rs/anvil on ${platform}/${arch})`);
  }
  const binary = join(dirname(packageJson), 'bin', platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!existsSync(binary)) throw new Error(`${packageName} is installed but ${binary} is missing`);
  return binary;
}
