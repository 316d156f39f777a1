// A patient monitor behind a serial-to-network converter: the bridge connects to
// tcp://HOST:PORT, reads HL7 ORU^R01 over MLLP, stores the numerics in the attached
// chart and only then answers MSA|AA.
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mllpWrap } from '../../../device-bridge';
import { createUser, getUserByUsername } from '../../../main/access/users';
import { Clinic } from '../../../main/host/clinic';
import { parseTcpPath } from '../../../main/host/devices/device-service';
import { listEntries } from '../../../main/store/repositories/entries';
import { cloneStore, samplePatient, useStoreTemplate } from '../../helpers/store';

const template = useStoreTemplate();
const ORU = readFileSync(resolve(__dirname, '../../fixtures/hl7/oru.hl7'));

describe('device connections over TCP', () => {
  it('parses only well-formed tcp://HOST:PORT paths', () => {
    expect(parseTcpPath('tcp://192.168.1.20:4001')).toEqual({ host: '192.168.1.20', port: 4001 });
    expect(parseTcpPath('tcp://[::1]:4001')).toEqual({ host: '::1', port: 4001 });
    for (const bad of ['tcp://host', 'tcp://host:0', 'tcp://host:70000', '/dev/ttyUSB0', 'tcp://a/b:1'])
      expect(parseTcpPath(bad)).toBeNull();
  });

  it('stores an HL7 result from a TCP converter, then acknowledges it', async () => {
    const store = cloneStore(template());
    await createUser(
      store.db,
      store.dataKey,
      { username: 'tech', displayName: 'Tech', role: 'device_technician', password: 'tech-password-1' },
      null,
    );
    const clinic = await Clinic.open(store);
    const tech = getUserByUsername(store.db, 'tech')!;
    const patient = await clinic.registerPatient(tech, samplePatient());
    const replies: string[] = [];
    let peer: Socket | undefined;
    const server = createServer((socket) => {
      peer = socket;
      socket.on('data', (d) => replies.push(d.toString('latin1')));
      socket.write(mllpWrap(new Uint8Array(ORU)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(
        clinic.devices.connect(tech, { profileId: 'hl7-monitor', path: 'tcp://nope', patientId: patient.id }),
      ).rejects.toThrow(/tcp:\/\/HOST:PORT/);
      const conn = await clinic.devices.connect(tech, {
        profileId: 'hl7-monitor',
        path: `tcp://127.0.0.1:${port}`,
        label: 'Monitor',
        patientId: patient.id,
      });
      await expect.poll(() => replies.join(''), { timeout: 15_000 }).toContain('MSA|AA|Q335939501T337311002');
      const readings = listEntries(clinic.db, patient.id).filter((e) => e.kind === 'device-reading');
      expect(readings.length).toBeGreaterThan(0);
      expect(readings.map((e) => (e.body as { value: number }).value)).toContain(62); // OBX-5 of the HDL result
      await clinic.devices.disconnect(tech, conn.id);
    } finally {
      peer?.destroy();
      server.close();
      await clinic.close();
    }
  }, 30_000);
});
