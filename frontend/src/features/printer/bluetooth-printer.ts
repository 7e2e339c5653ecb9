import { kvGet, kvSet } from '../../lib/db';
import { chunkBytes } from './receipt-doc';

// Web Bluetooth thermal printer. Only Chromium has Web Bluetooth; elsewhere
// the app says so and offers the server-rendered receipt instead.

/** GATT services of common BLE ESC/POS printers (generic 58/80 mm, Xprinter, MTP, Goojprt...). */
export const PRINTER_SERVICES = [
  '000018f0-0000-1000-8000-00805f9b34fb',
  'e7810a71-73ae-499d-8c15-faa9aef0c3f2',
  '49535343-fe7d-4ae5-8fa9-9fafd205e455',
  '0000ff00-0000-1000-8000-00805f9b34fb',
  '0000ffe0-0000-1000-8000-00805f9b34fb',
  '0000fee7-0000-1000-8000-00805f9b34fb',
];

export const PRINTER_KEY = 'printer.paired';
export interface PairedPrinter {
  id: string;
  name: string;
  columns: 32 | 48;
}

export class PrinterError extends Error {
  constructor(
    message: string,
    public reason: 'unsupported' | 'not-paired' | 'connection' | 'cancelled',
  ) {
    super(message);
    this.name = 'PrinterError';
  }
}

export const bluetoothSupported = (): boolean => typeof navigator !== 'undefined' && !!navigator.bluetooth;

let device: BluetoothDevice | null = null;
let characteristic: BluetoothRemoteGATTCharacteristic | null = null;

async function findWritable(server: BluetoothRemoteGATTServer): Promise<BluetoothRemoteGATTCharacteristic> {
  const services = await server.getPrimaryServices();
  for (const s of services) {
    for (const c of await s.getCharacteristics()) {
      if (c.properties.writeWithoutResponse || c.properties.write) return c;
    }
  }
  throw new PrinterError('This device has no writable printer channel. Is it a receipt printer?', 'connection');
}

async function connect(d: BluetoothDevice) {
  if (!d.gatt) throw new PrinterError('The printer offers no Bluetooth LE connection.', 'connection');
  const server = d.gatt.connected ? d.gatt : await d.gatt.connect();
  characteristic = await findWritable(server);
  device = d;
}

export async function getPairedPrinter(): Promise<PairedPrinter | undefined> {
  return kvGet<PairedPrinter>(PRINTER_KEY);
}

export async function setPrinterColumns(columns: 32 | 48): Promise<void> {
  const p = await getPairedPrinter();
  if (p) await kvSet(PRINTER_KEY, { ...p, columns });
}

/** Must run from a tap (the browser's chooser needs a user gesture). */
export async function pairPrinter(): Promise<PairedPrinter> {
  if (!bluetoothSupported()) throw new PrinterError('Bluetooth printing needs Chrome on Android (Web Bluetooth).', 'unsupported');
  let d: BluetoothDevice;
  try {
    d = await navigator.bluetooth!.requestDevice({ acceptAllDevices: true, optionalServices: PRINTER_SERVICES });
  } catch (e) {
    throw new PrinterError((e as Error).name === 'NotFoundError' ? 'No printer chosen.' : (e as Error).message, 'cancelled');
  }
  await connect(d);
  const prev = await getPairedPrinter();
  const paired: PairedPrinter = { id: d.id, name: d.name || 'Bluetooth printer', columns: prev?.columns ?? 32 };
  await kvSet(PRINTER_KEY, paired);
  return paired;
}

async function ensureConnected(): Promise<BluetoothRemoteGATTCharacteristic> {
  if (!bluetoothSupported()) throw new PrinterError('Bluetooth printing needs Chrome on Android (Web Bluetooth).', 'unsupported');
  const paired = await getPairedPrinter();
  if (!paired) throw new PrinterError('No printer paired. Pair one on the Printer screen.', 'not-paired');
  if (device?.gatt?.connected && characteristic) return characteristic;
  let d = device;
  if (!d && navigator.bluetooth!.getDevices) {
    d = (await navigator.bluetooth!.getDevices()).find((x) => x.id === paired.id) ?? null;
  }
  if (!d) throw new PrinterError(`Reconnect ${paired.name}: tap Pair printer again.`, 'not-paired');
  try {
    await connect(d);
  } catch (e) {
    throw e instanceof PrinterError ? e : new PrinterError(`Cannot reach ${paired.name}: is it on and near? (${(e as Error).message})`, 'connection');
  }
  return characteristic!;
}

/** Writes in small chunks; BLE printers drop larger writes. */
export async function printBytes(bytes: Uint8Array, chunkSize = 128): Promise<void> {
  const c = await ensureConnected();
  for (const chunk of chunkBytes(bytes, chunkSize)) {
    if (c.properties.writeWithoutResponse && c.writeValueWithoutResponse) {
      await c.writeValueWithoutResponse(chunk as BufferSource);
      await new Promise((r) => setTimeout(r, 15)); // let the printer's buffer drain
    } else if (c.writeValueWithResponse) {
      await c.writeValueWithResponse(chunk as BufferSource);
    } else {
      await c.writeValue!(chunk as BufferSource);
    }
  }
}
