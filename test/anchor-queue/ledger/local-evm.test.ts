// The local EVM node from npm: starts on 127.0.0.1, answers JSON-RPC, hands out anvil's
// well-known dev accounts, and is really gone after stop().
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startLocalEvm } from '../../../anchor-queue';
import { anvilBinaryPath } from '../../../anchor-queue/ledger/anvil-binary';
import { rpc } from './evm-helpers';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

describe('startLocalEvm', () => {
  it('starts anvil on a free local port with funded dev accounts, and stop() ends it', async () => {
    const evm = await startLocalEvm({ accounts: 2, chainId: 4242 });
    try {
      expect(evm.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(evm.chainId).toBe(4242);
      expect(Number(await rpc<string>(evm.rpcUrl, 'eth_chainId'))).toBe(4242);
      // Hardhat/anvil's first dev account, derived from "test test … junk".
      expect(evm.accounts).toHaveLength(2);
      expect(evm.accounts[0]).toEqual({
        address: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
        privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
      });
      const balance = BigInt(await rpc<string>(evm.rpcUrl, 'eth_getBalance', [evm.accounts[1]!.address, 'latest']));
      expect(balance > 10n ** 18n).toBe(true);
    } finally {
      await evm.stop();
    }
    await expect(rpc(evm.rpcUrl, 'eth_chainId')).rejects.toThrow();
  });

  it('uses a requested port, and fails clearly when that port is taken', async () => {
    const port = await freePort();
    const evm = await startLocalEvm({ port });
    try {
      expect(evm.rpcUrl).toBe(`http://127.0.0.1:${port}`);
      await expect(startLocalEvm({ port, startTimeoutMs: 10_000 })).rejects.toThrow(/anvil exited|did not start/);
      // The first node is unaffected.
      expect(Number(await rpc<string>(evm.rpcUrl, 'eth_chainId'))).toBe(31337);
    } finally {
      await evm.stop();
    }
  });

  it('produces blocks on its own with a block time (for the demo)', async () => {
    const evm = await startLocalEvm({ blockTimeSeconds: 1 });
    try {
      const deadline = Date.now() + 5_000;
      let height = 0;
      while (height < 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        height = Number(await rpc<string>(evm.rpcUrl, 'eth_blockNumber'));
      }
      expect(height).toBeGreaterThanOrEqual(1);
    } finally {
      await evm.stop();
    }
  });

  it('finds the binary npm installed for this platform, and names unsupported ones', () => {
    expect(anvilBinaryPath()).toMatch(/@foundry-rs[\\/]anvil-[a-z0-9]+-[a-z0-9]+[\\/]bin[\\/]anvil(\.exe)?$/);
    expect(() => anvilBinaryPath('sunos', 'sparc')).toThrow(/no npm build for sunos\/sparc/);
  });
});
