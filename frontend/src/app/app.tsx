export function App() {
  return <main className="p-4 text-lg">LPG Driver</main>;
}
