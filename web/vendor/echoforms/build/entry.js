// Entry of the vendored @edsc/echoforms bundle (built by scripts/build-echoforms-bundle):
// exposes window.EchoForms.mount(element, formXml, onModel, onValid), which renders NASA's
// EDSCEchoform component with React 18 and reports every model and validity update.
import React from 'react'
import { createRoot } from 'react-dom/client'
import EDSCEchoform from '@edsc/echoforms'
import '@edsc/echoforms/dist/styles.css'

let root = null

function mount(element, form, onFormModelUpdated, onFormIsValidUpdated) {
  if (root) root.unmount()
  root = createRoot(element)
  root.render(React.createElement(EDSCEchoform, { form, onFormModelUpdated, onFormIsValidUpdated }))
}

window.EchoForms = { mount }
