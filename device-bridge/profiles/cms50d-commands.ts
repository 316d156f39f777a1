// Contec CMS50D+ host → device commands.
//
// Contec's "Communication protocol of pulse oximeter V7.0" frames every command as 9 bytes: 0x7D ("command
// follows"), 0x81, the command byte, then six 0x80 padding bytes. Command bytes used here: 0xA1 "start real-time
// data", 0xAF "stay connected", which must arrive at least once every 5 s or the device stops sending.
// Checked (via the search tool) against: albertcbraun/CMS50FW CMS50FWCommand.java (START_DATA 0xA1,
// STAY_CONNECTED 0xAF, PADDING 0x80, COMMAND_FOLLOWS 0x7D, citing the V7.0 manual); Caspar Addyman's
// HeartRateUSB_serial.m for the CMS60C ("send stillconnected command at least once every 5 seconds");
// celiponcio's cms50Dplus_thread.py for firmware 4.6 (writes 7D 81 A1 80 80 80 80 80 80 after opening);
// headrotor/art-sensors stream_data.py (captured 7D 81 A1 80… followed by live data).
// Older firmware streams the 5-byte live format as soon as it sees any byte on its receive line (tranzoa.net
// "CMS50E Pulse Oximeter USB / Serial Protocol"), so the same start command wakes both generations.

const command = (code: number): Uint8Array => Uint8Array.of(0x7d, 0x81, code, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);

export const CMS50D_START_LIVE_DATA = command(0xa1);
export const CMS50D_STOP_LIVE_DATA = command(0xa2);
export const CMS50D_STAY_CONNECTED = command(0xaf);
/** The device stops after 5 s without "stay connected"; 3 s leaves room for a late timer. */
export const CMS50D_KEEP_ALIVE_MS = 3000;
