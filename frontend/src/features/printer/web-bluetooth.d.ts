// The parts of Web Bluetooth the app uses (not in TypeScript's DOM lib).
interface BluetoothCharacteristicProperties {
  write: boolean;
  writeWithoutResponse: boolean;
}
interface BluetoothRemoteGATTCharacteristic {
  uuid: string;
  properties: BluetoothCharacteristicProperties;
  writeValue?(value: BufferSource): Promise<void>;
  writeValueWithResponse?(value: BufferSource): Promise<void>;
  writeValueWithoutResponse?(value: BufferSource): Promise<void>;
}
interface BluetoothRemoteGATTService {
  uuid: string;
  getCharacteristics(): Promise<BluetoothRemoteGATTCharacteristic[]>;
}
interface BluetoothRemoteGATTServer {
  connected: boolean;
  connect(): Promise<BluetoothRemoteGATTServer>;
  disconnect(): void;
  getPrimaryServices(service?: string): Promise<BluetoothRemoteGATTService[]>;
}
interface BluetoothDevice extends EventTarget {
  id: string;
  name?: string;
  gatt?: BluetoothRemoteGATTServer;
}
interface Bluetooth {
  getAvailability?(): Promise<boolean>;
  requestDevice(options: { acceptAllDevices?: boolean; filters?: unknown[]; optionalServices?: string[] }): Promise<BluetoothDevice>;
  getDevices?(): Promise<BluetoothDevice[]>;
}
interface Navigator {
  readonly bluetooth?: Bluetooth;
}
